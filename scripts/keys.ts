/**
 * Prints a fresh key for the environment:
 *   npm run keys            a private JWK Set for AUTH_SIGNING_KEYS, ES256 (default)
 *   npm run keys -- EdDSA   the same with Ed25519
 *   npm run keys -- secrets a 32-byte key for AUTH_SECRETS_KEY (seals queued mail, TOTP secrets)
 * To rotate signing keys without breaking other services: npm run keys:rotate -- add|promote|retire
 * (docs/key-rotation.md): the new key is published before it signs.
 */
import { SUPPORTED_ALGORITHMS, generateKeySetJson, type SigningAlgorithm } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";

const arg = process.argv[2] ?? "ES256";
if (arg === "secrets") {
  process.stderr.write(
    "Secrets key. Store it as a secret, e.g.:\n  AUTH_SECRETS_KEY='<the line below>'\n" +
      "To rotate: put a new key first, comma-separated, and keep the old one after it for a while.\n\n",
  );
  process.stdout.write(`${generateSecretsKey()}\n`);
} else {
  const alg = arg as SigningAlgorithm;
  if (!SUPPORTED_ALGORITHMS.includes(alg)) {
    console.error(`Unknown argument "${arg}". Use one of: ${SUPPORTED_ALGORITHMS.join(", ")}, secrets`);
    process.exit(1);
  }
  void generateKeySetJson(alg).then((json) => {
    process.stderr.write(
      "Private signing key set. Store it as a secret, e.g.:\n  AUTH_SIGNING_KEYS='<the line below>'\n\n",
    );
    process.stdout.write(`${json}\n`);
  });
}
