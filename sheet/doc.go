// Package sheet turns contact records into the tables committees hand in for their annual
// review: .xlsx workbooks (one sheet per committee, Chinese headers) and CSV files (UTF-8 with a
// byte-order mark, so that Excel opens them as UTF-8).
package sheet
