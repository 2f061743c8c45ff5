/**
 * Alertmanager's alert fingerprint, computed independently of Alertmanager: the 64-bit FNV-1a hash of
 * the label set with names sorted, each name and value followed by the separator byte 0xff (Prometheus'
 * `model.LabelSet.Fingerprint`), printed as 16 hex digits as the v2 API does. The bridge keys PagerDuty
 * incidents by it (`dedup_key = ide-monitor/<fingerprint>`), so the test can check that key against the
 * labels Prometheus produced, not only against what Alertmanager reported.
 */
const OFFSET = 14695981039346656037n;
const PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;
const SEPARATOR = 0xff;

export function alertFingerprint(labels: Readonly<Record<string, string>>): string {
  let hash = OFFSET;
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of Buffer.from(name, 'utf8')) add(byte);
    add(SEPARATOR);
    for (const byte of Buffer.from(labels[name]!, 'utf8')) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}
