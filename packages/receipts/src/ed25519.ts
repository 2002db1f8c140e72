import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

// @noble/ed25519 v3 ships only an async SHA-512 (WebCrypto); its synchronous API throws
// "hashes.sha512 not set" until one is supplied. `??=` keeps an implementation the host
// application may already have installed on this shared module object.
ed.hashes.sha512 ??= sha512;

export { ed };
