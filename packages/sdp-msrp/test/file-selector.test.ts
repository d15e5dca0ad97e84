import { describe, expect, it } from 'vitest';
import {
  encodeFileName,
  formatFileDate,
  formatFileHash,
  formatFileSelector,
  parseFileDate,
  parseFileRange,
  parseFileSelector,
  SdpError,
  type FileSelector,
} from '../src/index.js';

describe('parseFileSelector (RFC 5547 §6)', () => {
  it('reads name, type with parameters, size and hash', () => {
    expect(
      parseFileSelector(
        'name:"report 2024.pdf" type:application/pdf;x-note="a b" size:1024 hash:sha-1:AB:cd:01',
      ),
    ).toEqual({
      name: 'report 2024.pdf',
      type: 'application/pdf',
      typeParams: [{ name: 'x-note', value: 'a b' }],
      size: 1024,
      hash: { algorithm: 'sha-1', value: 'AB:cd:01' },
    });
  });

  it('decodes percent-escapes as UTF-8, and UTF-8 written as is', () => {
    expect(parseFileSelector('name:"say %22hi%22 100%25.txt"').name).toBe('say "hi" 100%.txt');
    expect(parseFileSelector('name:"%C3%A9t%C3%A9.jpg"').name).toBe('été.jpg');
    expect(parseFileSelector('name:"été €.jpg"').name).toBe('été €.jpg');
    expect(parseFileSelector('name:"line%0D%0Abreak"').name).toBe('line\r\nbreak');
  });

  it('takes unquoted type parameters, which some clients write', () => {
    expect(parseFileSelector('type:text/plain;charset=UTF-8').typeParams).toEqual([
      { name: 'charset', value: 'UTF-8' },
    ]);
  });

  // RFC 5547 §6: ft-parameter = attribute "=" DQUOTE value-string DQUOTE, and a
  // value-string's filename-char is any octet but NUL, CR, LF, DQUOTE and "%": a ";" inside
  // the quotes is part of the value, not the start of the next parameter.
  it('reads a quoted type parameter value that contains ";"', () => {
    expect(parseFileSelector('type:text/plain;x-note="a;b";charset="UTF-8" size:3')).toEqual({
      type: 'text/plain',
      typeParams: [
        { name: 'x-note', value: 'a;b' },
        { name: 'charset', value: 'UTF-8' },
      ],
      size: 3,
    });
  });

  it('an empty selector matches any file', () => {
    expect(parseFileSelector('')).toEqual({});
  });

  it.each([
    ['name:"x', 'unterminated quoted string'],
    ['name:x.txt', 'name must be a non-empty quoted string'],
    ['name:""', 'name must be a non-empty quoted string'],
    ['name:"50%.txt"', 'name must be a non-empty quoted string'],
    ['name:"%FF.txt"', 'name must be a non-empty quoted string'],
    ['size:12k', 'size must be a number of octets'],
    ['hash:sha-1', 'hash must be <algorithm>:<hex pairs'],
    ['hash:sha-1:ABC', 'hash must be <algorithm>:<hex pairs'],
    ['type:jpeg', 'type must be type/subtype'],
    ['type:text/plain;charset', 'invalid type parameter'],
    ['size:1 size:2', 'more than one size selector'],
    ['color:red', 'unknown selector "color:red"'],
  ])('rejects %s', (value, why) => {
    expect(() => parseFileSelector(value)).toThrow(SdpError);
    expect(() => parseFileSelector(value)).toThrow(why);
  });
});

describe('formatFileSelector', () => {
  it('writes the RFC 5547 order and escapes what the grammar forbids', () => {
    expect(
      formatFileSelector({
        hash: { algorithm: 'sha-1', value: '01:02' },
        size: 5,
        type: 'text/plain',
        name: 'a "b" 5%\r\n.txt',
      }),
    ).toBe('name:"a %22b%22 5%25%0D%0A.txt" type:text/plain size:5 hash:sha-1:01:02');
    expect(encodeFileName('x\0y')).toBe('x%00y');
  });

  // RFC 5547 §6: ";" and " " may stand inside the quoted value-string as they are, and
  // DQUOTE and "%" are percent-encoded, so what is written parses back the same.
  it('writes type parameter values that parse back the same', () => {
    const selector: FileSelector = {
      name: 'notes.txt',
      type: 'text/plain',
      typeParams: [
        { name: 'x-note', value: 'part 1; part 2' },
        { name: 'x-other', value: 'say "hi"; 100% été' },
      ],
    };
    const written = formatFileSelector(selector);
    expect(written).toBe(
      'name:"notes.txt" type:text/plain;x-note="part 1; part 2";x-other="say %22hi%22; 100%25 été"',
    );
    expect(parseFileSelector(written)).toEqual(selector);
  });

  it('refuses what cannot be written', () => {
    expect(() => formatFileSelector({ name: '' })).toThrow('File name is empty');
    expect(() => formatFileSelector({ size: 1.5 })).toThrow('Invalid file size 1.5');
    expect(() => formatFileSelector({ type: 'text' })).toThrow('Invalid file type "text"');
    expect(() => formatFileSelector({ hash: { algorithm: 'sha 1', value: '01' } })).toThrow(
      'Invalid file hash',
    );
  });

  it('formats a hash as msrp-core checks it: sha-1:AB:CD', () => {
    expect(formatFileHash({ algorithm: 'SHA-1', value: 'ab:cd' })).toBe('sha-1:AB:CD');
  });
});

describe('file-date and file-range', () => {
  it('reads and writes every date parameter', () => {
    const value =
      'creation:"Mon, 15 May 2006 15:01:31 +0300" modification:"Tue, 16 May 2006 10:00:00 +0300" read:"Wed, 17 May 2006 09:00:00 +0300"';
    const date = parseFileDate(value);
    expect(date).toEqual({
      creation: 'Mon, 15 May 2006 15:01:31 +0300',
      modification: 'Tue, 16 May 2006 10:00:00 +0300',
      read: 'Wed, 17 May 2006 09:00:00 +0300',
    });
    expect(formatFileDate(date)).toBe(value);
    expect(() => parseFileDate('creation:"a" creation:"b"')).toThrow('Invalid file-date');
    expect(() => formatFileDate({ read: 'a"b' })).toThrow('Invalid file read date');
  });

  it('reads ranges with a number or * as stop', () => {
    expect(parseFileRange('1-32349')).toEqual({ start: 1, stop: 32349 });
    expect(parseFileRange('1000-*')).toEqual({ start: 1000, stop: '*' });
    for (const bad of ['0-5', '5-4', '1-', 'a-b', '1-2-3']) {
      expect(() => parseFileRange(bad)).toThrow(`Invalid file-range "${bad}"`);
    }
  });
});
