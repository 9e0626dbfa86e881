// A Sieve lexer (RFC 5228 §8.1) for tests: reads a rendered script back into tokens, so a test can
// check that every string came out exactly as it went in and no string broke out of its quotes.

export type SieveToken =
  | { readonly t: "id"; readonly v: string }
  | { readonly t: "tag"; readonly v: string }
  | { readonly t: "num"; readonly v: string }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "punct"; readonly v: string }

export const lexSieve = (src: string): Array<SieveToken> => {
  const out: Array<SieveToken> = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (c === " " || c === "\t" || c === "\r" || c === "\n") i++
    else if (c === "#") {
      const end = src.indexOf("\n", i)
      i = end === -1 ? src.length : end + 1
    } else if (c === '"') {
      let v = ""
      i++
      for (;;) {
        if (i >= src.length) throw new Error("unterminated string")
        const d = src[i]!
        if (d === "\\") {
          v += src[i + 1]
          i += 2
        } else if (d === '"') {
          i++
          break
        } else {
          v += d
          i++
        }
      }
      out.push({ t: "str", v })
    } else if ("[](){},;".includes(c)) {
      out.push({ t: "punct", v: c })
      i++
    } else {
      const m = /^(:?[A-Za-z_][A-Za-z0-9_]*|[0-9]+[KMG]?)/.exec(src.slice(i))
      if (m === null) throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`)
      const v = m[0]
      out.push(v.startsWith(":") ? { t: "tag", v } : /^[0-9]/.test(v) ? { t: "num", v } : { t: "id", v })
      i += v.length
    }
  }
  return out
}

/** The script with every string replaced by `S`: its shape, which no input may change. */
export const shape = (tokens: ReadonlyArray<SieveToken>) => tokens.map((k) => (k.t === "str" ? "S" : k.v)).join(" ")

/** The strings of a script, decoded, in order. */
export const strings = (tokens: ReadonlyArray<SieveToken>) => tokens.filter((k) => k.t === "str").map((k) => k.v)
