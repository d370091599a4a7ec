import { maskPhone } from '../platform/pii.js';
import { waitText } from './eta.js';

/** What citizens read during a handoff: plain, polite, short sentences (many are elderly). */
export const texts = {
  queued: (department: string, position: number | null, eta: number | null) =>
    `好的，正在为您转接${department}人工服务，请稍候。${waitText(position, eta)}等待期间您可以先把问题写下来，工作人员接入后都能看到。如不想等了，请回复“取消排队”。`,
  unavailable: '人工服务暂时不可用，已为您记录留言。服务恢复后会第一时间为您转接；您也可以留下联系电话，方便工作人员回电。',
  pendingNoted: (phone: string | null) =>
    phone
      ? `已记录您的留言和联系电话（${maskPhone(phone)}）。人工服务恢复后会第一时间为您转接。`
      : '已记录您的留言。人工服务恢复后会第一时间为您转接；您也可以留下联系电话，方便工作人员回电。',
  offHours: (department: string, hours: string) =>
    `现在不是${department}的人工服务时间（${hours}）。您可以直接在这里留言，并留下联系电话，工作人员上班后会尽快给您回电。如不需要，请回复“取消”。`,
  askPhone: '已记下您的留言。请再留下您的联系电话（手机或座机），方便工作人员回电。',
  messageLeft: (phone: string) => `已记录您的留言，工作人员会尽快给您回电（${maskPhone(phone)}）。感谢您的耐心！如还有其他问题，可以继续问我。`,
  leaveMessageNow: '好的，请直接写下您要办的事，并留下联系电话，工作人员会尽快给您回电。',
  waitingNoted: (position: number | null, eta: number | null) => `您的消息已转给工作人员，请耐心等待。${waitText(position, eta)}`,
  cancelled: '已为您取消人工排队。您可以继续问我问题，需要时再回复“转人工”。',
  claimed: (name: string | null) => `已为您接通人工服务，工作人员${name ? `（${name}）` : ''}正在为您服务，请问有什么可以帮您？`,
  transferred: (department: string, position: number | null, eta: number | null) => `正在为您转接到${department}，请稍候。${waitText(position, eta)}`,
  transferredPending: (department: string) => `正在为您转接到${department}。人工服务暂时不可用，已为您记录留言，恢复后会第一时间为您转接。`,
  closed: '本次人工服务已结束，感谢您的耐心。请您对本次服务进行评价：非常满意、满意、基本满意、不满意、非常不满意。',
  idleClosed: '由于较长时间没有新的消息，本次人工服务已自动结束。如还需要帮助，请回复“转人工”。请您对本次服务进行评价：非常满意、满意、基本满意、不满意、非常不满意。',
  escalated: (position: number | null, eta: number | null) => `让您久等了，已为您优先安排。${waitText(position, eta)}`,
  offerMessage: '目前排队的人较多，让您久等了。您可以继续等待；也可以直接留言并留下联系电话，工作人员会尽快给您回电。',
  messageExpired: '没有收到您的留言，人工留言已结束。如还需要人工服务，请回复“转人工”。',
  resumed: (position: number | null, eta: number | null) => `人工服务已恢复，已为您排队。${waitText(position, eta)}`,
  staffHolding: '工作人员正在为您服务。',
};

/** Short messages that mean "stop waiting". */
export const CANCEL = /^(取消|取消排队|取消转人工|取消人工|取消留言|不(等|排)了|我不等了|算了|不用了|不需要了?|不要了|不要人工了?|退出(排队)?)[啊吧了呀哦。.!！\s]*$/;
/** "我要留言" while waiting: leave a message instead of waiting. */
export const LEAVE_MESSAGE = /^(我)?(要|想|先)?留(个)?言/;

const PHONE = /(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)|(?<!\d)(0\d{2,3}[- ]?\d{7,8})(?!\d)/;

/** A phone number for a call back, digits only, or null. */
export function findPhone(text: string): string | null {
  const m = PHONE.exec(text);
  if (!m) return null;
  return (m[1] ?? m[2]).replace(/\D/g, '');
}
