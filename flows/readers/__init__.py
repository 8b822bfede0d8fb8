"""Reading inputs: discovering files (local or fsspec URLs) and decoding each input format into
source documents or rejections."""
