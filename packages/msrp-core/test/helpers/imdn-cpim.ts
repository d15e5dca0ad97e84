import { createCpim, type CpimInit, type CpimMessage } from '../../src/index.js';

/**
 * An IMDN body in CPIM, as RCS sends it: anonymous From, notification disposition, and
 * `imdn.Message-ID: n-1` unless `init` says otherwise.
 */
export function imdnCpim(xml: string | Uint8Array, init: Partial<CpimInit> = {}): CpimMessage {
  return createCpim({
    from: 'sip:anonymous@anonymous.invalid',
    dateTime: new Date(),
    ns: { imdn: 'urn:ietf:params:imdn' },
    headers: [['imdn.Message-ID', 'n-1']],
    contentType: 'message/imdn+xml',
    contentHeaders: [['Content-Disposition', 'notification']],
    ...init,
    body: xml,
  });
}
