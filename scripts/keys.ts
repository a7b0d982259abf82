/**
 * Prints a fresh private JWK Set for AUTH_SIGNING_KEYS.
 *   npm run keys            ES256 (default)
 *   npm run keys -- EdDSA   Ed25519
 * To rotate without breaking other services: npm run keys:rotate -- add|promote|retire
 * (docs/key-rotation.md): the new key is published before it signs.
 */
import { SUPPORTED_ALGORITHMS, generateKeySetJson, type SigningAlgorithm } from "@/lib/auth/keys";

const alg = (process.argv[2] ?? "ES256") as SigningAlgorithm;
if (!SUPPORTED_ALGORITHMS.includes(alg)) {
  console.error(`Unknown algorithm "${alg}". Use one of: ${SUPPORTED_ALGORITHMS.join(", ")}`);
  process.exit(1);
}
generateKeySetJson(alg).then((json) => {
  process.stderr.write(
    "Private signing key set. Store it as a secret, e.g.:\n  AUTH_SIGNING_KEYS='<the line below>'\n\n",
  );
  process.stdout.write(`${json}\n`);
});
