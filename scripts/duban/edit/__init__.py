"""edit: the ways editors change records (forms, intake, CMS config, Excel import, CLI editors).

They write record files through the canonical writer, atomically, and run the
validator on what they write. Empty until the editing work lands.
"""
