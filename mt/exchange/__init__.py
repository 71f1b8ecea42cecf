"""Files in and out of the desk: exports as bytes (`export`), the article renderings
(`article`), the XLIFF round trip with a CAT tool (`xliff_import`, `xliff_notes`) and a client's
own XLIFF (`client`). The rules live here; their SQL is `mt.store.records`."""
