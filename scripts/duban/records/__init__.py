"""records: bytes → located problems or typed records. Knows YAML, the schemas and the declared kinds; never what day it is."""
