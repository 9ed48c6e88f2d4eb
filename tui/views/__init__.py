"""What each screen, panel, segment row, detail and report line says, from the store.

Pure of Textual: the app draws these, and `tandem snapshot` and `tandem report`
print them, so a number reads the same wherever it is shown. `read` is where a
screen's data is read from the store and the stored analysis.
"""
