/**
 * The widget's whole stylesheet, inside its shadow root. The host page's CSS cannot reach in;
 * `:host` resets the one element it can reach with `all: initial !important` (in a shadow tree
 * an !important :host rule beats the page's !important rules), so hostile or careless page CSS
 * (`* { all: unset !important }`, `html { font-size: 2px }`) changes nothing: sizes are px/em,
 * never rem. Colours meet WCAG AA in the normal mode and AAA-level contrast in 长辈模式.
 */
export const CSS = `
:host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important;contain:none!important}
.root{font:16px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1a1a1a;text-align:left;-webkit-text-size-adjust:100%;text-size-adjust:100%;letter-spacing:normal;word-spacing:normal;direction:ltr}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr-only{position:absolute!important;width:1px!important;height:1px!important;padding:0!important;margin:-1px!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
button,input,select,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
:focus-visible{outline:3px solid #ffbf47;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
:focus:not(:focus-visible){outline:none}
a{color:#0b4f96;text-decoration:underline}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;min-height:52px;padding:0 20px;border:2px solid #fff;border-radius:26px;background:#0b5cad;color:#fff;font-size:17px;font-weight:600;line-height:1.2;box-shadow:0 4px 16px rgba(0,0,0,.3)}
.launcher:hover{background:#084a8c}
.launcher svg{width:24px;height:24px;flex:none}
.left .launcher{right:auto;left:20px}
.badge{min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b3261e;color:#fff;font-size:13px;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:400px;max-width:calc(100vw - 40px);height:640px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border:1px solid #b9bec6;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.3);overflow:hidden;animation:gc-in .18s ease-out}
.left .panel{right:auto;left:20px}
@keyframes gc-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}
.bar{padding:8px 12px 10px;background:#0b5cad;color:#fff}
.bar-row{display:flex;flex-wrap:wrap;align-items:center;gap:6px 8px}
.bar-row+.bar-row{margin-top:4px}
.bar h2{flex:1;min-width:0;margin:0;font-size:18px;line-height:1.35;font-weight:700}
.sub{flex:1;min-width:10em;margin:0;font-size:13px;line-height:1.4}
.tools{margin-left:auto;display:flex;gap:6px;flex-wrap:wrap;justify-content:flex-end}
.tool{min-height:36px;padding:4px 10px;border:1px solid #fff;border-radius:6px;background:transparent;color:#fff;font-size:14px;line-height:1.2;white-space:nowrap}
.tool:hover{background:#084a8c}
.tool[aria-checked="true"],.tool[aria-checked="true"]:hover{background:#fff;color:#0b4f96;font-weight:700}
.handoff{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;padding:8px 12px;background:#fff4d6;border-bottom:1px solid #e0c36b;color:#3d2e00;font-size:15px}
.handoff strong{font-weight:700}
.handoff .tool{color:#3d2e00;border-color:#3d2e00;margin-left:auto}
.log{flex:1;min-height:0;overflow-y:auto;margin:0;padding:12px;list-style:none;background:#f4f6f8;overscroll-behavior:contain}
.msg{margin:0 0 12px;display:flex;flex-direction:column;align-items:flex-start}
.msg.citizen{align-items:flex-end}
.who{margin:0 0 2px;font-size:13px;color:#404040}
.bubble{max-width:92%;padding:10px 12px;border-radius:10px;background:#fff;border:1px solid #d5dae0;overflow-wrap:anywhere;word-break:break-word;white-space:normal}
.citizen .bubble{background:#0b5cad;border-color:#0b5cad;color:#fff;white-space:pre-wrap}
.citizen .bubble a{color:#fff}
.staff .bubble{border-color:#8a6d00;background:#fffaf0}
.system .bubble{background:#eef1f4;border-style:dashed}
.error .bubble{border-color:#b3261e;background:#fdf0ef;color:#6b120c}
.bubble p{margin:0 0 6px}
.bubble>:last-child{margin-bottom:0}
.bubble h3{margin:0 0 6px;font-size:1em;font-weight:700;line-height:1.5}
.bubble ol,.bubble ul{margin:0 0 6px;padding-left:1.6em}
.bubble ul{list-style:disc}
.bubble ol{list-style:decimal}
.bubble li{margin:2px 0}
.stream{white-space:pre-wrap;margin:0}
.provisional{color:#404040}
.streaming .bubble::after{content:"";display:inline-block;width:.5em;height:1em;margin-left:2px;vertical-align:-.15em;background:#0b5cad;animation:gc-blink 1s steps(2,start) infinite}
@keyframes gc-blink{to{visibility:hidden}}
.thinking{color:#404040}
.cite{margin:6px 0 0;padding:0;list-style:none;max-width:92%;font-size:14px;color:#333}
.cite li{margin:0}
.cite-name{margin-right:6px}
.sugs{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;max-width:100%}
.sug{min-height:40px;padding:6px 12px;border:1px solid #0b5cad;border-radius:20px;background:#fff;color:#0b4f96;text-align:left;line-height:1.4}
.sug:hover{background:#e6effa}
.card{width:100%;margin-top:8px;padding:10px 12px;border:1px solid #b9bec6;border-radius:10px;background:#fff}
.card h3{margin:0 0 8px;font-size:1.05em}
.field{margin:0 0 10px}
.field label{display:block;font-weight:600}
.req,.opt{display:inline-block;margin-left:6px;padding:0 6px;border-radius:4px;font-size:13px;font-weight:600;vertical-align:1px}
.req{background:#fdf0ef;color:#8c1d18}
.opt{background:#eef1f4;color:#404040}
.help{margin:2px 0 4px;font-size:14px;color:#404040}
.field input,.field select,.field textarea{display:block;width:100%;min-height:44px;padding:8px 10px;border:2px solid #6b7280;border-radius:6px;background:#fff}
.field textarea{resize:vertical}
.field [aria-invalid="true"]{border-color:#b3261e}
.ferr{margin:4px 0 0;color:#b3261e;font-weight:600;font-size:14px}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}
.btn{min-height:44px;padding:6px 16px;border:2px solid #0b5cad;border-radius:8px;background:#0b5cad;color:#fff;font-weight:600}
.btn.secondary{background:#fff;color:#0b4f96}
.btn:disabled{opacity:.6;cursor:default}
.status{margin:6px 0 0;font-size:14px}
.status.bad{color:#b3261e;font-weight:600}
.summary{margin:0 0 8px;padding:0;list-style:none}
.summary li{margin:2px 0}
.summary b{font-weight:600}
fieldset{margin:0;padding:0;border:0;min-width:0}
legend{padding:0;margin:0 0 6px;font-weight:700}
.levels{display:flex;flex-direction:column;gap:4px}
.level{display:flex;align-items:center;gap:8px;min-height:40px;padding:4px 8px;border:1px solid #d5dae0;border-radius:6px;cursor:pointer}
.level input{width:20px;height:20px;margin:0;flex:none}
.level:has(input:checked){border-color:#0b5cad;background:#e6effa}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 6px;border-top:1px solid #d5dae0;background:#fff}
.composer textarea{flex:1;min-width:0;min-height:48px;max-height:140px;resize:none;padding:10px;border:2px solid #6b7280;border-radius:8px;background:#fff;line-height:1.4}
.send{flex:none;min-width:72px;min-height:48px;padding:0 16px;border:0;border-radius:8px;background:#0b5cad;color:#fff;font-weight:600}
.send:hover{background:#084a8c}
.send[aria-disabled="true"]{background:#54657a;cursor:progress}
.note{margin:0;padding:0 12px 8px;font-size:13px;color:#404040;background:#fff}
@media (max-width:520px){
.panel,.left .panel{top:0;right:0;bottom:0;left:0;width:100%;max-width:none;height:100%;max-height:none;border:0;border-radius:0}
.launcher{right:12px;bottom:12px}
.bubble,.cite{max-width:100%}
}
.elder{font-size:22px;line-height:1.7;color:#000}
.elder .panel{width:min(600px,calc(100vw - 40px));max-width:calc(100vw - 40px);height:calc(100vh - 112px);border:2px solid #000}
.elder .bar{background:#002b6b}
.elder .bar h2{font-size:24px}
.elder .sub,.elder .note,.elder .who{display:none}
.elder .tool{font-size:20px;min-height:48px;border-width:2px}
.elder .tool:hover{background:#001a40}
.elder .tool[aria-checked="true"],.elder .tool[aria-checked="true"]:hover{background:#fff;color:#002b6b}
.elder .log{background:#fff;padding:16px}
.elder .bubble{max-width:100%;border:2px solid #000;color:#000;background:#fff}
.elder .citizen .bubble{background:#002b6b;border-color:#002b6b;color:#fff}
.elder .cite,.elder .help,.elder .ferr,.elder .status,.elder .req,.elder .opt,.elder .handoff,.elder .badge{font-size:20px}
.elder .cite{color:#000;max-width:100%}
.elder a{color:#00307a;font-weight:600}
.elder .sugs{flex-direction:column;align-items:stretch;width:100%}
.elder .sug,.elder .btn{min-height:56px;border:2px solid #000;color:#000;font-size:22px;border-radius:8px}
.elder .btn{background:#002b6b;color:#fff}
.elder .btn.secondary{background:#fff;color:#000}
.elder .composer textarea{border-color:#000;min-height:64px}
.elder .send{min-height:64px;background:#002b6b;font-size:22px}
.elder .launcher{min-height:64px;font-size:22px;background:#002b6b;padding:0 24px}
.elder .level{min-height:52px;border:2px solid #000}
.elder .level input{width:26px;height:26px}
.elder .field input,.elder .field select,.elder .field textarea{border-color:#000;min-height:56px}
.elder .handoff{color:#000;background:#fff0c2;border-bottom:2px solid #000}
.elder .streaming .bubble::after{display:none}
.elder *,.elder *::before,.elder *::after{animation:none!important;transition:none!important}
@media (max-width:520px){.elder .panel{width:100%;max-width:none;height:100%;border:0}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}
@media (forced-colors:active){.launcher,.tool,.sug,.send,.btn,.bubble{border:2px solid ButtonText}}
`;
