/**
 * Names of the handoff's BullMQ queues and keys, and the error its Redis side raises: apart from
 * the BullMQ classes so that code naming a queue (the console, workers) or catching the error
 * does not load bullmq, which a deployment without Redis never needs.
 */

/** Redis is not connected: the caller stores the handoff as pending instead. */
export class QueueUnavailableError extends Error {
  constructor(message = 'the handoff queue (Redis) is not available') {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

/** BullMQ queue names may not contain ":"; department names are plain words. */
export function queueName(department: string): string {
  return `handoff.${department.replace(/[:\s]/g, '_')}`;
}

/** Prefix of every BullMQ key of this deployment (REDIS_PREFIX + ":bull"). */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

/** The BullMQ queue of handoff timers and periodic jobs, run by `npm run worker`. */
export const TIMER_QUEUE = 'handoff-timers';

export function timerJobId(handoffId: string, dueAt: number): string {
  return `tick-${handoffId}-${dueAt}`;
}

