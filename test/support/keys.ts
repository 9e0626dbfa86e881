// Inserts API keys with chosen grants straight into a test database (the API for keys comes
// with the control-plane issue; tests need limited keys before that).
import { createHash, randomUUID } from "node:crypto"
import { generateApiKeySecret } from "@hosting/core/api"
import pg from "pg"

export const insertApiKey = async (
  databaseUrl: string,
  grants: { readonly scopes: ReadonlyArray<string>; readonly brands: ReadonlyArray<string> },
): Promise<string> => {
  const secret = generateApiKeySecret()
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(
      "INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, brands) VALUES ($1, $2, $3, $4, $5, $6)",
      [
        randomUUID(),
        "test key",
        createHash("sha256").update(secret).digest("hex"),
        secret.slice(0, 8),
        grants.scopes,
        grants.brands,
      ],
    )
  } finally {
    await client.end()
  }
  return secret
}
