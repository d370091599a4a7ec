export { SensitiveWordFilter, SAFETY_CATEGORIES, type SafetyCategory, type SafetyMatch, type SafetyVerdict } from './filter.js';
export { loadWordLists, parseWordList, type WordEntry } from './words.js';
export { safetyTurn, ABUSE_BEFORE_HANDOFF } from './replies.js';
