/**
 * Evaluates a rule's `additionalMatchCriteria` against a request (ANDed). Header names
 * are case-insensitive; query keys are compared as sent.
 */
import type { MatchCriterion } from '../contracts/rule.js';

/** What matching needs from a request, besides its normalized path. */
export interface MatchRequest {
  /** Header values by lowercase name, as node's IncomingHttpHeaders. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw query string without `?`, or '' when there is none. */
  query: string;
}

export interface CompiledCriterion {
  type: MatchCriterion['additionalMatchType'];
  operator: MatchCriterion['additionalMatchOperator'];
  key: string;
  values: readonly string[];
}

export function compileCriterion(criterion: MatchCriterion): CompiledCriterion {
  const value = criterion.additionalMatchValue;
  return {
    type: criterion.additionalMatchType,
    operator: criterion.additionalMatchOperator,
    key: criterion.additionalMatchType === 'header' ? criterion.additionalMatchKey.toLowerCase() : criterion.additionalMatchKey,
    values: value === undefined ? [] : Array.isArray(value) ? value : [value],
  };
}

function observedValues(criterion: CompiledCriterion, request: MatchRequest): string[] {
  if (criterion.type === 'header') {
    const value = request.headers[criterion.key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }
  return new URLSearchParams(request.query).getAll(criterion.key);
}

function criterionHolds(criterion: CompiledCriterion, request: MatchRequest): boolean {
  const observed = observedValues(criterion, request);
  const equalsAny = () => observed.some((v) => criterion.values.includes(v));
  const containsAny = () => observed.some((v) => criterion.values.some((want) => v.includes(want)));
  switch (criterion.operator) {
    case 'exists':
      return observed.length > 0;
    case 'not_exists':
      return observed.length === 0;
    case 'equals':
      return equalsAny();
    case 'not_equals':
      return !equalsAny();
    case 'contains':
      return containsAny();
    case 'not_contains':
      return !containsAny();
  }
}

export function criteriaHold(criteria: readonly CompiledCriterion[], request: MatchRequest): boolean {
  for (const criterion of criteria) if (!criterionHolds(criterion, request)) return false;
  return true;
}

/** The first criterion that does not hold, for explanations; undefined when all hold. */
export function firstFailingCriterion(criteria: readonly CompiledCriterion[], request: MatchRequest): string | undefined {
  for (const criterion of criteria) {
    if (criterionHolds(criterion, request)) continue;
    const observed = observedValues(criterion, request);
    const wanted = criterion.values.length === 0 ? '' : ` ${JSON.stringify(criterion.values)}`;
    return `${criterion.type} ${criterion.key} ${criterion.operator}${wanted} (observed: ${observed.length === 0 ? 'absent' : JSON.stringify(observed)})`;
  }
  return undefined;
}
