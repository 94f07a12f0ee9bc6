// Placeholder while the view is built; replaced in the same change.
export default function View() {
  return <h1>credit/LenderDesk</h1>;
}
