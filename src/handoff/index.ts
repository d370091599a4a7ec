/** Human handoff (转人工): state machine, department queues, staff API, citizen events, timers. */
export { createHandoff, departmentsOf, type Handoff, type HandoffOptions } from './create.js';
export { HandoffService, handoffSettings, ratingAsksForHelp } from './service.js';
export { staffHandoffRoutes } from './staff-routes.js';
export { sessionRoutes } from './citizen-routes.js';
export { IllegalTransitionError, nextState } from './state.js';
export type { EventBus } from './events.js';
export type { HandoffQueue } from './queue.js';
