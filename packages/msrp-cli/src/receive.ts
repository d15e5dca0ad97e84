// What `msrp listen` does with each message: prints text, stores files, skips keepalives.
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as MimeTypes from 'mime-types';
import { formatContentType, mediaTypeOf, type IncomingMessage } from '@msrp-ts/msrp-core';
import type { Output } from './output.js';
import { moveToFreeName, reserveFile, safeFileName } from './files.js';
import { dropKeepalive, isKeepalive } from './keepalive.js';
import { FILE_OFFER_TYPE } from './file-offer.js';
import { isHashMismatch, type ResumeListener } from './resume-listen.js';

let mime: typeof MimeTypes | undefined;

/**
 * The usual file extension of a media type, if known (mime-types). Loaded on first use: its
 * database is ~3 MiB of RSS (issue 12: `msrp listen` under 64 MiB), needed only for a file
 * that comes without a name.
 */
function extensionOf(media: string): string | false {
  mime ??= createRequire(import.meta.url)('mime-types') as typeof MimeTypes;
  return mime.extension(media);
}

/** Whether a message is shown as text rather than stored as a file. */
export function isText(message: IncomingMessage): boolean {
  return (
    message.body !== undefined &&
    message.filename === undefined &&
    message.contentType !== undefined &&
    message.contentType.type.toLowerCase() === 'text'
  );
}

/**
 * Prints a text message on stdout, or stores a file under `outDir` and reports it. With
 * `resume`, answers file offers and stores the files that follow them as resumable parts.
 */
export async function receive(
  message: IncomingMessage,
  outDir: string,
  out: Output,
  resume?: ResumeListener,
): Promise<void> {
  if (isKeepalive(message)) return dropKeepalive(message);
  const contentType = message.contentType ? formatContentType(message.contentType) : undefined;
  const media = message.contentType ? mediaTypeOf(message.contentType) : 'application/octet-stream';
  if (resume && media.toLowerCase() === FILE_OFFER_TYPE) return resume.offer(message);
  if (resume && (await resume.receive(message))) return;
  if (message.offset > 0) {
    // The rest of a file whose part we do not hold for it (its offer was superseded, or
    // never made): stored alone it would be a file's tail under the file's name. The 413
    // this brings stops the sender with an error, so that it offers the file again.
    message.discard();
    out.error(
      `refused ${message.filename ?? message.messageId}: it resumes at byte ${message.offset + 1} a file whose part is not held for it`,
      { messageId: message.messageId, name: message.filename, offset: message.offset },
    );
    return;
  }
  if (isText(message)) {
    if (message.aborted) {
      out.error(`message ${message.messageId} was aborted after ${message.received} bytes`, {
        messageId: message.messageId,
      });
      return;
    }
    const text = message.text();
    out.result(text.endsWith('\n') ? text.slice(0, -1) : text, {
      event: 'message',
      messageId: message.messageId,
      contentType,
      text,
    });
    return;
  }
  const fallback = `message-${message.messageId}.${extensionOf(media) || 'bin'}`;
  const name = safeFileName(message.filename, fallback);
  // Written as NAME.part and renamed to NAME once whole and checked, as a resumable file is: a
  // transfer cut short (the listener killed, even) never leaves a file under the final name.
  let part: string;
  try {
    part = await reserveFile(outDir, `${name}.part`);
  } catch (e) {
    // Refused, not drained: drained, its chunks would be confirmed and the sender told the
    // file was delivered. Its next chunk is answered 413 (RFC 4975 §7.1: stop sending it), and
    // the connection keeps flowing for the messages after it.
    message.discard();
    out.error(`cannot store ${name} in ${outDir}, refused: ${(e as Error).message}`, {
      messageId: message.messageId,
      name: message.filename,
    });
    return;
  }
  try {
    // A file that is not what its sender announced is refused at its last chunk (413): its
    // sender is not told it was delivered.
    const saved = await message.saveTo(part, { refuseMismatch: true });
    const path = await moveToFreeName(part, outDir, name);
    const hash =
      saved.hashMatches === undefined
        ? 'no hash announced'
        : saved.hashMatches
          ? 'hash matched'
          : `HASH MISMATCH (announced ${saved.announcedHash})`;
    // saveTo hashes with SHA-256 when no hash is expected: print it as before.
    const sha256 = saved.hash.replace(/^sha-256:/, '');
    out.result(`saved ${path} (${saved.bytes} bytes, sha-256 ${sha256}, ${hash})`, {
      event: 'file',
      messageId: message.messageId,
      path,
      name: message.filename,
      contentType,
      bytes: saved.bytes,
      sha256,
      announcedHash: saved.announcedHash,
      hashMatches: saved.hashMatches,
    });
  } catch (e) {
    await unlink(part).catch(() => undefined);
    const name = message.filename ?? message.messageId;
    if (isHashMismatch(e)) {
      out.error(`${name}: HASH MISMATCH (${e.message}): refused, not kept`, {
        messageId: message.messageId,
        name: message.filename,
        announcedHash: message.announcedHash,
        hashMatches: false,
      });
      return;
    }
    out.error(`receiving ${name} failed after ${message.received} bytes: ${(e as Error).message}`, {
      messageId: message.messageId,
      name: message.filename,
    });
  }
}
