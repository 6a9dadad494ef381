/**
 * Writes the JavaScript source of a compiled rule.
 *
 * Safety rests on one rule, kept here: nothing from a mapping ever becomes code. Identifiers are
 * generated from counters; strings from a mapping (literals, property names) appear only as
 * JSON.stringify output, which is always one complete JavaScript string literal; every other
 * value a rule needs (regular expressions, $config, helpers) is passed in the constants array and
 * referred to by index. Numbers are written from their JavaScript value, never from source text.
 */

export class CodeWriter {
  private readonly lines: string[] = [];
  private readonly temps: string[] = [];
  private indent = 1;

  constructor(private readonly names: NameSource) {}

  /** A fresh temporary, declared at the top of the function being written. */
  temp(): string {
    const name = this.names.next('t');
    this.temps.push(name);
    return name;
  }

  line(code: string): void {
    this.lines.push('  '.repeat(this.indent) + code);
  }

  open(code: string): void {
    this.line(code);
    this.indent++;
  }

  close(code = '}'): void {
    this.indent--;
    this.line(code);
  }

  /** The body written so far, with the temporaries declared first. */
  body(): string {
    const decl = this.temps.length > 0 ? [`${'  '.repeat(1)}let ${this.temps.join(', ')};`] : [];
    return [...decl, ...this.lines].join('\n');
  }
}

/** Unique identifiers for the whole rule: a counter per prefix. */
export class NameSource {
  private count = 0;
  next(prefix: string): string {
    return `${prefix}${this.count++}`;
  }
}

/** Values the generated code refers to as k[i]. */
export class Constants {
  readonly values: unknown[] = [];
  private readonly index = new Map<unknown, number>();

  ref(value: unknown): string {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    return `k[${i}]`;
  }
}

/** A JavaScript literal for a JSON scalar from the syntax tree. */
export function literal(value: unknown, constants: Constants): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '(-0)';
    if (Number.isFinite(value)) return value < 0 ? `(${String(value)})` : String(value);
    return constants.ref(value);
  }
  return constants.ref(value);
}

/** A property name as a string literal (always JSON.stringify: see the safety note above). */
export function key(name: string): string {
  return JSON.stringify(name);
}

/**
 * Reads the own property `name` of the object in `target` (undefined when it has none), as a
 * load with its own inline cache. Where no object inherits the name (every name but
 * Object.prototype's own, e.g. `toString`, `__proto__`), a plain load gives exactly that, and
 * costs a map check; hasOwnProperty is a call that searches the object's keys every time, which
 * inside the gateway, with other code between two requests, mostly misses the CPU's caches.
 * (The objects a rule reads are JSON values and objects compiled code builds: their prototype is
 * Object.prototype or null.)
 */
export function ownProperty(target: string, name: string): string {
  const k = key(name);
  return name in Object.prototype ? `(hasOwn.call(${target}, ${k}) ? ${target}[${k}] : undefined)` : `${target}[${k}]`;
}
