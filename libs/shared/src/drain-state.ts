/**
 * Whether this process is draining (SIGTERM received, DRAIN_MS not yet over; run-service.ts):
 * its `/ready` answers 503 while it keeps serving, so a load balancer stops sending to it
 * before its port closes. One per process, as the signal is.
 */
let draining = false;

export function markDraining(): void {
  draining = true;
}

export function isDraining(): boolean {
  return draining;
}
