import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";

import type { Piece } from "./family";
import { FamilyTree } from "./FamilyTree";

const piece = (
  id: string,
  parent: string | null,
  holder: number,
  tier: number,
  face: string,
  state: string,
): Piece => ({
  id,
  parent,
  holder,
  face,
  tier,
  state,
  frozen: false,
  encumbered: false,
  recourse: false,
  defaulted: false,
  pledgee: 0,
});

// A family as GET /v1/scf/receivables/{id}/family answers it (pieces in id order, parents named).
const PIECES = [
  piece("R4.0", null, 9, 1, "60000000", "Held"),
  piece("R4.1", "R4.0", 13, 2, "25000000", "Held"),
  piece("R4.2", "R4.1", 7, 3, "15000000", "Financed"),
];

/** How deep a piece is drawn: the indent units before its node. */
const depth = (id: string) =>
  screen.getByTestId(`piece-${id}`).closest(".ant-tree-treenode")!.querySelectorAll(".ant-tree-indent-unit").length;

describe("FamilyTree", () => {
  it("test_familyTree_cannedFamily_drawnRootToLeavesWithHoldersAndStates", () => {
    render(<FamilyTree pieces={PIECES} member={7} />);
    const nodes = screen.getAllByTestId(/^piece-/);
    expect(nodes.map((n) => n.dataset.testid)).toEqual(["piece-R4.0", "piece-R4.1", "piece-R4.2"]);
    expect([depth("R4.0"), depth("R4.1"), depth("R4.2")]).toEqual([0, 1, 2]);
    expect(nodes.map((n) => n.textContent)).toEqual([
      "R4.0 · member #9 · tier 1 · 600,000.00 · Held",
      "R4.1 · member #13 · tier 2 · 250,000.00 · Held",
      "R4.2 · member #7 · tier 3 · 150,000.00 · Financedyours",
    ]);
  });
});
