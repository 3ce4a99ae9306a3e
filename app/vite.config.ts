import { defineConfig } from "vite";

export default defineConfig({
  build: {
    // The wallet selector's chunk (about 2 MB, 650 KB gzipped) loads only when a holder connects
    // a wallet on testnet/mainnet; the page itself is about 64 KB gzipped.
    chunkSizeWarningLimit: 2500,
  },
});
