import type { Me } from './api.js';
import type { StaffEvents } from './events.js';
import { ASPECT_LABEL } from '../../kb/aspects.js';

/** What every view gets from the shell. */
export interface Ctx {
  me: Me;
  events: StaffEvents;
  /** Every department known (the guides' and the handoff's). */
  departments: string[];
  /** The departments this member of staff works for (admins: all). */
  mine: string[];
  /** Opens (or shows) a conversation's tab. */
  openConversation(id: string): void;
  /** Removes a conversation's tab. */
  closeConversation(id: string): void;
  go(route: string): void;
}

export interface View {
  el: HTMLElement;
  /** Called each time the view is shown. */
  show?(): void;
}

export const REASONS: Record<string, string> = { handoff: '要求转人工', no_answer: '机器人未能解答', complaint: '投诉', rating: '差评求助' };
export const PRIORITY: Record<string, string> = { elderly: '老年人优先', disabled: '残障人士优先', complaint: '投诉', escalated: '等待超时' };
/** Section names as guides title them (the server's own table; tiny, so bundled as it is). */
export const ASPECTS: Readonly<Record<string, string>> = ASPECT_LABEL;
export const CHANNELS: Record<string, string> = { web: '网站', wechat: '微信', 'wechat-mp': '公众号', api: '接口' };
