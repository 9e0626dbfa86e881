// How `hostctl seed` recognizes a record it already created: by the owner name the API stores.
import { describe, expect, it } from "vitest"
import { absoluteName } from "../src/commands/seed.js"

describe("absoluteName", () => {
  it("resolves @, relative and absolute names as the API does", () => {
    expect(absoluteName("shop.example.test", "@")).toBe("shop.example.test")
    expect(absoluteName("shop.example.test", "mail")).toBe("mail.shop.example.test")
    expect(absoluteName("shop.example.test", "*.dev")).toBe("*.dev.shop.example.test")
    expect(absoluteName("shop.example.test", "www.shop.example.test.")).toBe("www.shop.example.test")
    // without the dot, a name already inside the zone is taken as absolute
    expect(absoluteName("shop.example.test", "www.shop.example.test")).toBe("www.shop.example.test")
    expect(absoluteName("shop.example.test", "shop.example.test")).toBe("shop.example.test")
    expect(absoluteName("shop.example.test", "example.test")).toBe("example.test.shop.example.test")
  })
})
