import { expect, test } from 'vitest';
import { PosDecoder } from './pos.ts';

/** A HID POS input report as hidraw delivers it: id 2, length, AIM id, 56 data bytes, 2 reserved, flags. */
function report(data: string, aim = ']C0', continues = false, id = 2): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = id;
  r[1] = data.length;
  r.set(new TextEncoder().encode(aim), 2);
  r.set(new TextEncoder().encode(data), 5);
  r[63] = continues ? 1 : 0;
  return r;
}

test('a single report gives the code and its symbology', () => {
  expect(new PosDecoder().feed(report('12345678901234', ']E0'))).toEqual([
    { code: '12345678901234', symbology: ']E0' },
  ]);
});

test('continued reports are concatenated', () => {
  const d = new PosDecoder();
  const long = 'SRV-0b8f0c8e-1a2b-4c3d-9e8f-0123456789ab'.padEnd(70, '7');
  expect(d.feed(report(long.slice(0, 56), ']C0', true))).toEqual([]);
  expect(d.feed(report(long.slice(56), ']C0', false))).toEqual([{ code: long, symbology: ']C0' }]);
});

test('garbage reports are ignored and break a continued code rather than glue halves together', () => {
  const d = new PosDecoder();
  expect(d.feed(new Uint8Array([2, 3]))).toEqual([]); // too short
  expect(d.feed(report('123', ']C0', false, 5))).toEqual([]); // another report id
  const lying = report('12345678');
  lying[1] = 200; // length beyond the report
  expect(d.feed(report('AAAA', ']C0', true))).toEqual([]);
  expect(d.feed(lying)).toEqual([]);
  expect(d.feed(report('12345678'))).toEqual([{ code: '12345678', symbology: ']C0' }]);
  expect(d.feed(report(''))).toEqual([]); // zero length
});

test('devices without report ids', () => {
  const r = report('87654321').subarray(1);
  expect(new PosDecoder(null).feed(r)).toEqual([{ code: '87654321', symbology: ']C0' }]);
});
