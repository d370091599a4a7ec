import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes): the OWASP baseline. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed hash is a failed check, not a server error
  }
}

// A hash of a random string, verified against when the username is unknown, so a wrong username
// takes as long as a wrong password and does not reveal which accounts exist.
let dummy: Promise<string> | null = null;
export async function burnVerify(password: string): Promise<void> {
  dummy ??= hash(generatePassword());
  await verifyPassword(await dummy, password);
}

// No 0/O, 1/l/I: read aloud or copied from a slip of paper in a service hall.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password for a new account or a reset, shown once. 16 characters ≈ 93 bits. */
export function generatePassword(length = 16): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Why a password is not acceptable, or null. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < PASSWORD_MIN) return `密码至少 ${PASSWORD_MIN} 位`;
  if (password.length > PASSWORD_MAX) return `密码不能超过 ${PASSWORD_MAX} 位`;
  if (username && password.toLowerCase() === username.toLowerCase()) return '密码不能与用户名相同';
  if (/^(.)\1*$/.test(password)) return '密码不能全是同一个字符';
  return null;
}
