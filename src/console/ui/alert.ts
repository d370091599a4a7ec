/**
 * Telling an agent a conversation arrived: a short chime (Web Audio: no sound file to fetch) and
 * a count in the tab title until the queue is looked at.
 */
const BASE_TITLE = '政务服务工作台';
let unseen = 0;
let audio: AudioContext | null = null;

/** Browsers allow sound only after a click: the first click anywhere unlocks it. */
export function unlockSound(): void {
  const unlock = () => {
    try {
      audio ??= new AudioContext();
      void audio.resume();
    } catch {
      /* no audio on this device */
    }
  };
  document.addEventListener('pointerdown', unlock, { once: true });
  document.addEventListener('keydown', unlock, { once: true });
}

function chime(): void {
  try {
    audio ??= new AudioContext();
    const t = audio.currentTime;
    for (const [i, f] of [880, 1175].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.25, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.32);
    }
  } catch {
    /* no audio on this device */
  }
}

export function newConversationArrived(): void {
  unseen++;
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes ?? 0) + 1);
  chime();
  renderTitle();
}

export function queueSeen(): void {
  if (document.visibilityState !== 'visible') return;
  unseen = 0;
  renderTitle();
}

function renderTitle(): void {
  document.title = unseen ? `(${unseen}) 新会话 · ${BASE_TITLE}` : BASE_TITLE;
}
