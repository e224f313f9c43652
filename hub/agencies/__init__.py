"""Partner agencies: who posts and who may see."""
