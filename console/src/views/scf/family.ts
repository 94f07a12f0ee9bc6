/** A receivable family as a tree, root to leaves, from the flat list of pieces the API answers. */
import type { Schemas } from "../../api/client";

export type Piece = Schemas["Piece"];

export interface PieceNode {
  piece: Piece;
  children: PieceNode[];
}

/** The root (the piece without a parent) with every piece under the one it was split from, in id order. */
export function familyTree(pieces: readonly Piece[]): PieceNode | undefined {
  const nodes = new Map(pieces.map((p) => [p.id, { piece: p, children: [] as PieceNode[] }]));
  let root: PieceNode | undefined;
  for (const node of nodes.values()) {
    const parent = node.piece.parent === null ? undefined : nodes.get(node.piece.parent);
    if (parent === undefined) root ??= node;
    else parent.children.push(node);
  }
  return root;
}
