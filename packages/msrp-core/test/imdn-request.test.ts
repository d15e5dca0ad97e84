// The request side of IMDN (RFC 5438 §6, §7): imdn.Disposition-Notification values,
// imdn.Message-ID, the headers that ask, and the notification that answers.
import { describe, expect, it } from 'vitest';
import {
  formatDispositionNotification,
  formatImdn,
  imdnFor,
  imdnRequestHeaders,
  isImdnRequested,
  newImdnMessageId,
  parseDispositionNotification,
  parseImdn,
  type ImdnRequest,
} from '../src/index.js';

const NONE = {
  positiveDelivery: false,
  negativeDelivery: false,
  processing: false,
  display: false,
};

describe('imdn.Disposition-Notification', () => {
  it('reads the RCS value', () => {
    expect(parseDispositionNotification('positive-delivery, negative-delivery, display')).toEqual({
      ...NONE,
      positiveDelivery: true,
      negativeDelivery: true,
      display: true,
    });
  });

  it('tolerates case, missing spaces, parameters and unknown tokens', () => {
    expect(parseDispositionNotification('Display;x=1,PROCESSING ,  future-thing;y')).toEqual({
      ...NONE,
      display: true,
      processing: true,
    });
    expect(parseDispositionNotification('')).toEqual(NONE);
  });

  it('writes the tokens in the RFC order, and reads them back', () => {
    const value = formatDispositionNotification({ display: true, positiveDelivery: true });
    expect(value).toBe('positive-delivery, display');
    expect(parseDispositionNotification(value)).toEqual({
      ...NONE,
      positiveDelivery: true,
      display: true,
    });
    expect(
      formatDispositionNotification({
        positiveDelivery: true,
        negativeDelivery: true,
        processing: true,
        display: true,
      }),
    ).toBe('positive-delivery, negative-delivery, processing, display');
  });

  it('refuses to write an empty request', () => {
    expect(() => formatDispositionNotification({})).toThrow(
      expect.objectContaining({ code: 'MSRP_ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('newImdnMessageId', () => {
  it('is a random (v4) UUID: 122 random bits, more than the 64 RFC 5438 §6.3 asks', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newImdnMessageId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe('imdnRequestHeaders', () => {
  it('gives NS, imdn.Message-ID and imdn.Disposition-Notification, in that order', () => {
    expect(imdnRequestHeaders({ positiveDelivery: true, display: true }, 'id-1')).toEqual([
      ['NS', 'imdn <urn:ietf:params:imdn>'],
      ['imdn.Message-ID', 'id-1'],
      ['imdn.Disposition-Notification', 'positive-delivery, display'],
    ]);
  });

  it('makes a fresh Message-ID when given none', () => {
    const [, [, a]] = imdnRequestHeaders({ display: true }) as [unknown, [string, string]];
    const [, [, b]] = imdnRequestHeaders({ display: true }) as [unknown, [string, string]];
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
  });
});

describe('answering a request', () => {
  const request: ImdnRequest = {
    messageId: 'Yd5xP2kQ7sN',
    dateTime: '2026-11-30T01:02:03+01:00',
    from: '<sip:anonymous@anonymous.invalid>',
    to: 'sip:bob@example.com',
    dispositionNotification: parseDispositionNotification('positive-delivery, display'),
  };

  it('knows which notifications were asked for', () => {
    const asked = request.dispositionNotification;
    expect(isImdnRequested(asked, { kind: 'delivery', status: 'delivered' })).toBe(true);
    expect(isImdnRequested(asked, { kind: 'delivery', status: 'failed' })).toBe(false);
    expect(isImdnRequested(asked, { kind: 'delivery', status: 'error' })).toBe(false);
    expect(isImdnRequested(asked, { kind: 'display', status: 'displayed' })).toBe(true);
    expect(isImdnRequested(asked, { kind: 'processing', status: 'processed' })).toBe(false);
    const negative = parseDispositionNotification('negative-delivery');
    expect(isImdnRequested(negative, { kind: 'delivery', status: 'failed' })).toBe(true);
    expect(isImdnRequested(negative, { kind: 'delivery', status: 'delivered' })).toBe(false);
  });

  it('copies message-id and datetime, and reports as the message To by default', () => {
    const n = imdnFor(request, { kind: 'display', status: 'displayed' });
    expect(n).toEqual({
      messageId: 'Yd5xP2kQ7sN',
      dateTime: '2026-11-30T01:02:03+01:00',
      recipientUri: 'sip:bob@example.com',
      kind: 'display',
      status: 'displayed',
    });
    expect(parseImdn(formatImdn(n))).toEqual(n);
  });

  it('reports as the URI it is given, and echoes the subject', () => {
    const n = imdnFor(
      { ...request, subject: 'Hi' },
      { kind: 'delivery', status: 'delivered' },
      'tel:+1555',
    );
    expect(n).toMatchObject({ recipientUri: 'tel:+1555', subject: 'Hi', status: 'delivered' });
    const anonymous: ImdnRequest = { ...request };
    delete anonymous.to;
    expect(imdnFor(anonymous, { kind: 'delivery', status: 'delivered' })).not.toHaveProperty(
      'recipientUri',
    );
  });

  it('leaves out a subject XML cannot carry, not the notification', () => {
    // A CPIM escape (\u0007) can put a control character in a Subject.
    const n = imdnFor(
      { ...request, subject: 'ring \u0007' },
      { kind: 'delivery', status: 'delivered' },
    );
    expect(n).not.toHaveProperty('subject');
    expect(parseImdn(formatImdn(n))).toEqual(n);
  });
});
