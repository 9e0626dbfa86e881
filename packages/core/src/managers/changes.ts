/** One change a manager made to a node (in a plan: would make). */
export interface NodeChange {
  readonly action: "create" | "update" | "delete"
  readonly kind: string
  readonly target: string
}

/** A NodeChange. */
export const nodeChange = (action: NodeChange["action"], kind: string, target: string): NodeChange => ({
  action,
  kind,
  target,
})

/** Written files as updates and removed ones as deletes, of one kind. */
export const fileChanges = (
  kind: string,
  c: { readonly written: ReadonlyArray<string>; readonly removed: ReadonlyArray<string> },
): Array<NodeChange> => [
  ...c.written.map((f) => nodeChange("update", kind, f)),
  ...c.removed.map((f) => nodeChange("delete", kind, f)),
]
