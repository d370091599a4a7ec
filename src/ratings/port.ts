import type { RatingPort } from '../dialogue/engine.js';
import { LEVEL_NAMES } from './levels.js';
import type { Ratings } from './ratings.js';

/** 好差评 given in the conversation (a WeChat citizen answering the prompt with "满意"). */
export function ratingPort(ratings: Ratings, followupDueDays: number): RatingPort {
  return {
    async rate(ctx, level, comment) {
      const r = await ratings.rate({ sessionId: ctx.session.id, level, comment });
      const name = LEVEL_NAMES[level];
      const text = r.followup
        ? `感谢您的评价（${name}）。您的意见已转交${r.followup.department ?? '相关部门'}，将在${followupDueDays}天内核实处理并答复您。`
        : `感谢您的评价（${name}）${r.replaced ? '，已为您修改' : ''}！欢迎您随时再来咨询。`;
      return { type: 'smalltalk', text, suggestions: [] };
    },
  };
}
