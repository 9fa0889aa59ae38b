"""Knowledge packs and the plan engine. Reads pack files; does no other I/O."""
