/**
 * A small incremental SSE reader for the load client: counts events and tallies them by name
 * (the `event:` field, else the `type` of the JSON data) without keeping their data, so a
 * 100,000-event stream costs the client no memory. Enough of the SSE rules for checking
 * a stream: lines end in \n or \r\n, a blank line dispatches an event that has data, lines
 * starting with ":" are comments.
 */
const MAX_LINE_CHARS = 256 * 1024 * 1024;

export class SseCounter {
  constructor({ errorNames = [] } = {}) {
    this.errorNames = new Set(errorNames);
    this.events = 0;
    this.chars = 0;
    this.byName = new Map();
    this.lastName = undefined;
    this.firstName = undefined;
    /** The data (first 500 characters) of the first error-type event. */
    this.errorPreview = undefined;
    this.rest = '';
    this.name = '';
    this.data = undefined;
  }

  push(text) {
    this.chars += text.length;
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.rest += text;
      if (this.rest.length > MAX_LINE_CHARS) throw new Error(`an SSE line longer than ${MAX_LINE_CHARS} characters`);
      return;
    }
    if (this.rest !== '') {
      const line = this.rest + text.slice(0, nl);
      this.rest = '';
      this.line(line);
    } else {
      this.line(text.slice(0, nl));
    }
    let start = nl + 1;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = start < text.length ? text.slice(start) : '';
  }

  /** The stream ended: an event left without its blank line is not dispatched (SSE rules). */
  end() {
    return this;
  }

  count(name) {
    return this.byName.get(name) ?? 0;
  }

  line(line) {
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line === '') {
      if (this.data !== undefined) this.dispatch();
      this.name = '';
      this.data = undefined;
      return;
    }
    if (line.startsWith('data:')) {
      if (this.data === undefined) this.data = line.slice(5, 600);
      return;
    }
    if (line.startsWith('event:')) this.name = line.slice(6).trim();
  }

  dispatch() {
    this.events++;
    let name = this.name;
    if (name === '') {
      const m = /"type"\s*:\s*"([^"]*)"/.exec(this.data);
      name = m ? m[1] : '(unnamed)';
    }
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
    if (this.firstName === undefined) this.firstName = name;
    this.lastName = name;
    if (this.errorPreview === undefined && this.errorNames.has(name)) this.errorPreview = `${name}: ${this.data.trim().slice(0, 500)}`;
  }
}
