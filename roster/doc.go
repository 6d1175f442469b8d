// Package roster reads and writes the League roster as a spreadsheet: the committee tree
// (团委 / 上级团委 / 层级), the cadres (团干部 / 所属团委 / 类别 / 目标人数) and which groups each
// cadre keeps (群名 / 平台 / 团干部).
//
// Two formats carry the same three tables. In .xlsx each table is a sheet (export names them
// 团委, 团干部 and 群); in .csv (UTF-8, a BOM is fine) the tables follow one another, each starting
// with its header row, separated by a blank line. Tables are recognised by their headers, columns
// are found by name in any order, and a file may leave out a table it does not change.
//
// Parse never stores anything: it returns a Roster with one RowError per problem (sheet, row,
// column, reason in Chinese). Apply stores a roster all or nothing, in one transaction, and
// reports references that do not resolve (an unknown parent committee, a cadre of a committee
// that does not exist) by row as well. Export writes the stored roster in either format, so an
// export imports back unchanged; WriteTemplate writes an empty .xlsx with an example row.
package roster
