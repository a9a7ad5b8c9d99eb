"""What a person at a browser reads: the rooms list (searched, filtered, paged) and a room's detail."""
