/**
 * The last N lines of some log, kept in memory so a test can print them only
 * when it fails (xDS client traces are too chatty to print on success).
 */
export class LogBuffer {
  private readonly lines: string[] = [];
  private dropped = 0;

  constructor(private readonly capacity = 3_000) {}

  /** Adds text, split into lines; a trailing newline does not make an empty line. */
  push(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      this.lines.push(line);
      if (this.lines.length > this.capacity) {
        this.lines.shift();
        this.dropped += 1;
      }
    }
  }

  text(): string {
    const head = this.dropped > 0 ? `[${this.dropped} earlier lines dropped]\n` : '';
    return head + this.lines.join('\n');
  }
}
