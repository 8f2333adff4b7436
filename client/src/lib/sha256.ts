/**
 * The SHA-256 of `text` (UTF-8) as 64 lowercase hex characters, through SubtleCrypto, so
 * a site can `identify(await DECO_RUM.sha256(email))` without sending the email. The
 * promise rejects where SubtleCrypto is missing (pages served over plain HTTP).
 */
export const sha256 = async (text: string): Promise<string> =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))), (byte) =>
    (byte + 256).toString(16).slice(1),
  ).join('');
