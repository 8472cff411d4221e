/**
 * How long each pull request of a `consume()` loop lives. A pull waits on the consumer's
 * leader; when that node dies (one of three in a cluster) the pull is lost without a word,
 * and nats.js notices only after two missed idle heartbeats (half the expiry each), then
 * pulls again. nats.js's default of 30 s leaves commands and feeds stalled that long after a
 * failover; 5 s bounds the stall to about 5 s, for one extra pull request per 5 s while idle.
 */
export const PULL_EXPIRES_MS = 5000;
