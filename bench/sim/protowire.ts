/**
 * Just enough of the protobuf wire format to walk messages field by field
 * without decoding them. The simulator reads a handful of fields out of large
 * responses; a full decode of every response in every client would make the
 * simulator, not the server, the thing being measured.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtoWireError extends Error {
  override readonly name = 'ProtoWireError';
}

/** One field as found on the wire; `start`/`end` delimit a length-delimited payload. */
export interface WireField {
  fieldNumber: number;
  wireType: number;
  /** Offset of the field's tag, i.e. where the whole field starts. */
  tagStart: number;
  /** For varint fields: the value (only exact up to 2^53, enough for enums and lengths). */
  varint: number;
  /** Payload bounds within the buffer, for length-delimited fields. */
  start: number;
  end: number;
}

/**
 * Iterates over the top-level fields of `buf[start, end)`. The same WireField
 * object is reused between steps to keep the walk allocation-free.
 */
export class FieldCursor {
  private pos: number;
  readonly field: WireField = { fieldNumber: 0, wireType: 0, tagStart: 0, varint: 0, start: 0, end: 0 };

  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    this.pos = start;
  }

  /** Advances to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const f = this.field;
    f.tagStart = this.pos;
    const tag = this.readVarint();
    f.fieldNumber = Math.floor(tag / 8);
    f.wireType = tag & 7;
    f.varint = 0;
    f.start = f.end = this.pos;
    switch (f.wireType) {
      case WIRE_VARINT:
        f.varint = this.readVarint();
        break;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN: {
        const len = this.readVarint();
        f.start = this.pos;
        this.pos += len;
        f.end = this.pos;
        break;
      }
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new ProtoWireError(`unsupported wire type ${f.wireType} at offset ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProtoWireError('field runs past the end of the message');
    return true;
  }

  private readVarint(): number {
    let result = 0;
    let multiplier = 1;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoWireError('truncated varint');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
  }
}

const utf8 = new TextDecoder();

export function readString(buf: Uint8Array, field: WireField): string {
  return utf8.decode(buf.subarray(field.start, field.end));
}

/** The first length-delimited occurrence of `fieldNumber` as a string, or '' when absent. */
export function readStringField(buf: Uint8Array, fieldNumber: number, start = 0, end = buf.length): string {
  const cursor = new FieldCursor(buf, start, end);
  while (cursor.next()) {
    if (cursor.field.fieldNumber === fieldNumber && cursor.field.wireType === WIRE_LEN) return readString(buf, cursor.field);
  }
  return '';
}

/**
 * Growable byte sink for encoding small request messages by hand. Backed by
 * Buffer.allocUnsafe (pooled, not zero-filled): thousands of clients ACK at
 * once, and zero-filling plus fresh allocations showed up in profiles.
 */
export class WireWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  varint(value: number): this {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
    return this;
  }

  tag(fieldNumber: number, wireType: number): this {
    return this.varint(fieldNumber * 8 + wireType);
  }

  bytesField(fieldNumber: number, bytes: Uint8Array): this {
    this.tag(fieldNumber, WIRE_LEN).varint(bytes.length);
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** Proto3 semantics: empty strings are not written. */
  stringField(fieldNumber: number, value: string): this {
    if (value === '') return this;
    return this.bytesField(fieldNumber, Buffer.from(value, 'utf8'));
  }

  /** Appends bytes that are already encoded fields (e.g. a memoised repeated-string block). */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** Every string as `fieldNumber` entries, pre-encoded once so a repeated list can be appended to many requests. */
export function encodeRepeatedString(fieldNumber: number, values: readonly string[]): Buffer {
  const w = new WireWriter(values.length * 64 + 16);
  for (const v of values) w.bytesField(fieldNumber, Buffer.from(v, 'utf8'));
  return w.finish();
}
