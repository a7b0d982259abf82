/**
 * Prints a fresh private JWK Set for AUTH_SIGNING_KEYS.
 *   npm run keys            ES256 (default)
 *   npm run keys -- EdDSA   Ed25519
 * To rotate: put the new key first and keep the old one after it until every token it signed has
 * expired (ACCESS_TOKEN_TTL), then remove it.
 */
import { SUPPORTED_ALGORITHMS, generateKeySetJson, type SigningAlgorithm } from "@/lib/auth/keys";

const alg = (process.argv[2] ?? "ES256") as SigningAlgorithm;
if (!SUPPORTED_ALGORITHMS.includes(alg)) {
  console.error(`Unknown algorithm "${alg}". Use one of: ${SUPPORTED_ALGORITHMS.join(", ")}`);
  process.exit(1);
}
generateKeySetJson(alg).then((json) => {
  process.stderr.write("Private signing key set. Store it as a secret, e.g.:\n  AUTH_SIGNING_KEYS='<the line below>'\n\n");
  process.stdout.write(`${json}\n`);
});
