/* Functions the ranking grid's column definitions name (dash-ag-grid looks them up here). */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* Numbers in order, missing values ("brak danych") last whichever way the column is sorted. */
dagfuncs.omupNullsLast = function (a, b, nodeA, nodeB, isDescending) {
  var na = a === null || a === undefined || Number.isNaN(a);
  var nb = b === null || b === undefined || Number.isNaN(b);
  if (na && nb) { return 0; }
  if (na) { return isDescending ? -1 : 1; }
  if (nb) { return isDescending ? 1 : -1; }
  return a - b;
};
