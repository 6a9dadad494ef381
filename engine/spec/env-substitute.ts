/**
 * `${VAR}` and `${VAR:-default}` in the literal connection settings of a spec (base URL, headers),
 * so that secrets and deployment addresses come from the environment, never from the YAML.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Substituted {
  value: string;
  /** Variables that were referenced and ended up empty (unset with an empty default, or set to ""). */
  empty: string[];
  /** Variables referenced without a default and not set. */
  missing: string[];
}

export function substituteEnv(text: string, env: NodeJS.ProcessEnv): Substituted {
  const empty: string[] = [];
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (_m, name: string, fallback: string | undefined) => {
    const set = env[name];
    const result = set !== undefined && set !== '' ? set : fallback;
    if (result === undefined) missing.push(name);
    else if (result === '') empty.push(name);
    return result ?? '';
  });
  return { value, empty, missing };
}
