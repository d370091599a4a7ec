import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the worker knows about the request being served, reachable from deep inside the dialogue
 * (the engine does not see the Request): background work must be registered with the request's
 * ExecutionContext.waitUntil or workerd may stop it once the response is sent, and calls to the
 * origin carry the citizen's address. workerd provides AsyncLocalStorage with nodejs_compat.
 */
export interface EdgeRequestContext {
  waitUntil(promise: Promise<unknown>): void;
  clientIp: string | null;
}

export const edgeRequest = new AsyncLocalStorage<EdgeRequestContext>();

/** Keeps a background promise alive for the current request (or just lets it run outside one). */
export function inBackground(promise: Promise<unknown>): void {
  edgeRequest.getStore()?.waitUntil(promise);
}
