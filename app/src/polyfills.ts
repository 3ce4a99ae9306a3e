/** Node's `Buffer` for the wallet modules that expect it in the browser (near-wallet-selector's
 * documented set-up); evaluated before them, so imported first in `wallet.ts`. */

import { Buffer } from "buffer";

(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;
