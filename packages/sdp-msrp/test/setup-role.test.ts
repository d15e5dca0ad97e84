import { describe, expect, it } from 'vitest';
import { activeParty, answerSetup, isSetupRole } from '../src/index.js';

describe('a=setup (RFC 6135, RFC 4145)', () => {
  it('answers an offer as RFC 4145 §4.1 allows', () => {
    expect(answerSetup('active')).toBe('passive');
    expect(answerSetup('active', 'active')).toBe('passive');
    expect(answerSetup('passive')).toBe('active');
    expect(answerSetup('holdconn', 'active')).toBe('holdconn');
    expect(answerSetup('actpass')).toBe('passive');
    expect(answerSetup('actpass', 'active')).toBe('active');
    // An RFC 4975-only offer gets an answer without a=setup.
    expect(answerSetup(undefined, 'active')).toBeUndefined();
  });

  it('makes the offerer active when either side leaves a=setup out (RFC 4975)', () => {
    expect(activeParty(undefined, undefined)).toBe('offerer');
    expect(activeParty('actpass', undefined)).toBe('offerer');
    expect(activeParty(undefined, 'active')).toBe('offerer');
  });

  it('lets the answer decide otherwise', () => {
    expect(activeParty('actpass', 'active')).toBe('answerer');
    expect(activeParty('actpass', 'passive')).toBe('offerer');
    expect(activeParty('passive', 'active')).toBe('answerer');
    expect(activeParty('active', 'passive')).toBe('offerer');
    expect(activeParty('holdconn', 'holdconn')).toBe('none');
    expect(activeParty('actpass', 'holdconn')).toBe('none');
    // "actpass" in an answer is not allowed; the offer's own wish is followed.
    expect(activeParty('passive', 'actpass')).toBe('answerer');
    expect(activeParty('actpass', 'actpass')).toBe('offerer');
  });

  it('recognises the four values', () => {
    expect(['active', 'passive', 'actpass', 'holdconn', 'Active', 'both'].map(isSetupRole)).toEqual(
      [true, true, true, true, false, false],
    );
  });
});
