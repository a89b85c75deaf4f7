"""The collector: `hwcheck serve` judges and stores what the ramdisk gates submit."""
