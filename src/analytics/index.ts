export { Analytics, median, type Stats, type StatsQuery, type DayFigures } from './stats.js';
export { UnansweredQuestions, type UnansweredGroup, type UnansweredReason } from './unanswered.js';
export { Exports, type ExportQuery } from './export.js';
export { csvField, csvRow, BOM } from './csv.js';
export { GROUP_THRESHOLD, groupSimilar, jaccard, normalizeQuestion } from './similarity.js';
export { ALL_DEPARTMENTS, scopeFor, conversationScope, departmentColumnScope, type DepartmentScope } from './scope.js';
export { unansweredOnTurn } from './hooks.js';
export { analyticsRoutes, period } from './routes.js';
