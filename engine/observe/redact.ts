/**
 * The last line of defence for secrets in logs: every serialised log line passes through
 * `scrub` before it is written, whatever object or message produced it. Path-based redaction
 * (pino's `redact`) only catches the exact paths it was told about, in the exact case; this
 * catches what slips past it:
 *
 *  - the exact values of the secrets the gateway knows (the upstream key from each pair's
 *    headers, the gateway keys) — wherever they appear, even inside an error message;
 *  - any JSON property whose name says it is a credential (authorization, x-api-key, api_key,
 *    cookie, password, …), at any depth, in any letter case;
 *  - `Bearer …` tokens in free text (a `Basic …` credential is caught by its header name: the
 *    word "basic" is too common in text to key on);
 *  - credentials in URLs: `user:password@` and query parameters such as `?key=` or `&token=`.
 */

const CENSOR = '[redacted]';
/** Shorter values are not registered as secrets: redacting "abc" everywhere would garble logs. */
const MIN_SECRET_LENGTH = 8;

const SECRET_PROPERTY = /"((?:proxy-)?authorization|x-api-key|api[-_]?key|apikey|x-auth-token|cookie|set-cookie|password|passwd|secret|client[-_]secret|access[-_]token|refresh[-_]token|id[-_]token|token)"(\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const BEARER = /\b(Bearer)(\s+)[A-Za-z0-9._~+/=\\-]{8,}/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:"]+:[^\s/@"]+@/gi;
const URL_QUERY_SECRET = /([?&](?:api[-_]?key|key|token|access[-_]token|auth|password|sig|signature)=)[^&\s"#]+/gi;

export class SecretScrubber {
  private readonly values = new Set<string>();
  private sorted: string[] = [];

  /** Registers a secret value (and, for "Bearer X", the bare X) to be blanked wherever it appears. */
  add(value: string | undefined): void {
    if (!value) return;
    const candidates = [value.trim()];
    const token = /^\s*\S+\s+(\S{8,})\s*$/.exec(value);
    if (token) candidates.push(token[1]);
    for (const c of candidates) {
      if (c.length >= MIN_SECRET_LENGTH && !this.values.has(c)) this.values.add(c);
    }
    // Longest first, so a secret that contains another is blanked whole.
    this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  scrub(line: string): string {
    let out = line;
    for (const secret of this.sorted) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
    return out
      .replace(SECRET_PROPERTY, `"$1"$2"${CENSOR}"`)
      .replace(BEARER, `$1$2${CENSOR}`)
      .replace(URL_USERINFO, `$1${CENSOR}@`)
      .replace(URL_QUERY_SECRET, `$1${CENSOR}`);
  }
}

/**
 * One scrubber for the process: every logger made by createLogger writes through it, and the
 * gateway registers the secrets it loads (also after a reload). A secret stays registered once
 * seen — redacting a retired key costs nothing.
 */
export const secrets = new SecretScrubber();
