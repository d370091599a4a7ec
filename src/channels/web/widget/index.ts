/**
 * widget.js: the citizen chat widget a city site adds with one line,
 *   <script src="https://assistant.example.gov.cn/widget.js" data-title="示例市政务服务" defer></script>
 * Attributes: data-title (the name shown), data-lang="en" (English labels), data-position="left".
 * It talks only to the origin this script was loaded from.
 */
import { ChatWidget } from './widget.js';

declare global {
  interface Window {
    __govchatWidget?: ChatWidget;
  }
}

// Read now: document.currentScript is only set while this script first runs.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');

function start(): void {
  if (window.__govchatWidget || !script?.src) return;
  if (!('attachShadow' in Element.prototype)) {
    console.warn('govchat: this browser cannot show the chat widget (no Shadow DOM)');
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  const host = document.createElement('govchat-assistant');
  // A child of <html>, not <body>: page zoom tools (适老化 toolbars) often transform <body>,
  // which would break the widget's fixed position.
  document.documentElement.appendChild(host);
  window.__govchatWidget = new ChatWidget(host, {
    origin,
    title: (script.dataset.title || '政务服务').slice(0, 40),
    lang: script.dataset.lang ?? null,
    position: script.dataset.position === 'left' ? 'left' : 'right',
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
