// Public host keys as SSH wire blobs: their type, the SHA256 fingerprint exactly as OpenSSH prints
// it (`ssh-keygen -lf`, the "key fingerprint is" prompt), and the known_hosts text form.
import { createHash } from 'node:crypto';

/** The key type named inside a public key blob (its first SSH string), or null when malformed. */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[A-Za-z0-9@._+-]+$/.test(type) ? type : null;
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, as OpenSSH prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The short type name OpenSSH shows next to a fingerprint ("ED25519 key fingerprint is …"). */
export function displayKeyType(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type === 'sk-ssh-ed25519@openssh.com') return 'ED25519-SK';
  if (type.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') return 'ECDSA-SK';
  if (type === 'ssh-rsa') return 'RSA';
  if (type === 'ssh-dss') return 'DSA';
  return type;
}

/** `ssh-ed25519 AAAA…`: the key part of a known_hosts or authorized_keys line. */
export function publicKeyText(blob: Buffer): string {
  return `${keyTypeOf(blob) ?? 'unknown'} ${blob.toString('base64')}`;
}

/** "ED25519 SHA256:…", the way messages name a key. */
export function describeKey(blob: Buffer): string {
  return `${displayKeyType(keyTypeOf(blob) ?? 'unknown')} ${fingerprintOf(blob)}`;
}

// ssh2's host key algorithms, in its default order (Node 20 always has Ed25519). A key type can
// be negotiated under several algorithm names (an RSA key as rsa-sha2-512, rsa-sha2-256, ssh-rsa).
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function algorithmsFor(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (keyType === 'ssh-dss') return ['ssh-dss'];
  return DEFAULT_HOST_KEY_ALGORITHMS.includes(keyType) ? [keyType] : [];
}

/**
 * The host key algorithms to offer, those of already-known key types first: as OpenSSH does, so a
 * host known by its RSA key is asked for that key and not reported "unknown" because it also has
 * an Ed25519 one.
 */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const first = [...new Set(knownTypes.flatMap(algorithmsFor))];
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}
